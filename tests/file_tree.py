"""Reading a folder of generated files back, for the stand-in tests."""
import os


def read_tree(folder):
    """{relative path: bytes} of every file under `folder`."""
    files = {}
    for here, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(here, name)
            with open(path, 'rb') as f:
                files[os.path.relpath(path, folder)] = f.read()
    return files
