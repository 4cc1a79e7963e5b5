"""The runtime: settings read at start, app assembly, serving (HTTP and Socket Mode),
the ticker, the command line and the console. It sits above `handlers/`, which it wires
onto the app; nothing below imports it.
"""
