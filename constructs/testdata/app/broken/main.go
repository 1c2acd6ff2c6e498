// Command broken is a test handler that does not compile: synthesis must
// report the compiler's error and write nothing.
package main

func main() {
	var n int = "not a number"
	_ = n
}
