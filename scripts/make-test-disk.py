#!/usr/bin/env python3
"""Writes the block ktests' disk image: SECTORS sectors of 512 bytes, sector N starting with
"keel sector N\\n" and filled with the byte N & 0xff, so a read of any sector shows whether the
right one came back (drivers/virtio/virtio_ktests.cc reads it; ./keel test makes it).
    make-test-disk.py FILE [SECTORS]        (default 4096: 2 MiB)"""
import sys


def main() -> int:
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    sectors = int(sys.argv[2]) if len(sys.argv) == 3 else 4096
    with open(sys.argv[1], "wb") as disk:
        for n in range(sectors):
            text = f"keel sector {n}\n".encode()
            disk.write(text + bytes([n & 0xFF]) * (512 - len(text)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
