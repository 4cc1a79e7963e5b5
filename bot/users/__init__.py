"""The users of the statistics: the register of organisations, the users map, and who
engaged with whom.
"""
