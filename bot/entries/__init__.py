"""What engagements and feedback share: filing one under its team, in one transaction
(with the register's notes on the organisations it names), and undoing it."""
