#!/bin/sh
echo "hello from greeter"
