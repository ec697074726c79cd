"""Each view module of the knowledge base keeps its own routes; they are joined in
knowledge.urls."""
