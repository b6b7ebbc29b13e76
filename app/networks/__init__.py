"""Networks, committees, working groups and round tables: organisations with members."""
