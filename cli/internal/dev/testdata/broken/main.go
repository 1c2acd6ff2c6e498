// Command broken is a handler that does not compile: sst dev's test of a
// request whose handler failed to build.
package main

func main() { notDefinedAnywhere() }
