console.log("chunk")
