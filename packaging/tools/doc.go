// Package tools pins the programs that packaging/build.sh runs (nfpm), in
// a module of their own so that roomwatch's own go.mod stays small.
package tools
