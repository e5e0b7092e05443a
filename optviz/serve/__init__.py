"""What a server needs to share work among a class: the store of runs and jobs, the class rooms
(SQLite or Redis), replicas sharing through Redis, and the MNIST files (download, checksums, cache)."""
