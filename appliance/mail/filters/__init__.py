"""Intake filters: each reads and annotates one ParsedMail, nothing else."""
