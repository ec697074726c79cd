"""Each view module of governance keeps its own routes; they are joined in governance.urls."""
