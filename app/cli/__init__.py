"""``faust -A app <command>`` commands (autodiscovered)."""
