"""Email to members of the public: subscriptions to a team's changes (`subscribing.py`)."""
