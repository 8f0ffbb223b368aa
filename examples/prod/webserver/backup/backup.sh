#!/bin/sh
# Example backup script: deptool keeps the executable bit.
echo "backup ran at $(date -u)"
