"""The regional knowledge base: migration-governance entities and dialogues with their member
states and sourced facts, policy instruments, the thematic and geographic taxonomies and the
mapping matrix between them."""
