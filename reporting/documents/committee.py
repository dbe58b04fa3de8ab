"""placeholder"""
def context(*, period):
    raise NotImplementedError
