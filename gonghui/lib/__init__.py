"""Domain-free helpers: identifiers (GB 11643, GB 32100), phones, encryption, masking, Excel, QR."""
