"""Messages the bot sends on its own: the scheduler that plans and posts them, the catch-up
rules every plan follows, the lanes that send to many channels at once, finding a post
after a crash, and the delivery queue as a report.
"""
