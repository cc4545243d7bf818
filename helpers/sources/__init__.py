"""Where tweets come from: replay of files, a socket server, a file drop, a queue of RDDs, the live X API.

Every source yields the same thing: lines of tweet JSON in the X API v2 filtered-stream shape.
"""
