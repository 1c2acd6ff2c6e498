// Command web is the events app's container service: it answers with the
// URL of the queue it is bound to. moto runs no tasks; the e2e checks the
// image it is built into and what runs it.
package main

import (
	"fmt"
	"net/http"
	"os"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, os.Getenv("SST_Queue_queueUrl_Inbox"))
	})
	if err := http.ListenAndServe(":"+os.Getenv("PORT"), nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
