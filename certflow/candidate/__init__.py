"""Pages of candidates (asesi): their applications, APL-01, APL-02, documents, certificates."""
