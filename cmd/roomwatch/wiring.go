package main

import (
	"github.com/roomwatch/roomwatch/pipeline"
	"github.com/roomwatch/roomwatch/rules"
)

func ruleOptions(e *env) rules.Options {
	return pipeline.RuleOptions(e.lookup)
}

// passThroughOutputs are the outputs of the destinations of a command
// whose stdout carries its input through (pipe, exec): there a console
// destination prints on stderr, so notifications never mix into the
// passed-through stream.
func passThroughOutputs(e *env) pipeline.Outputs {
	return pipeline.Outputs{Stdout: e.stderr, Stderr: e.stderr}
}
