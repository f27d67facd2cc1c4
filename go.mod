module github.com/roomwatch/roomwatch

go 1.26.0

require (
	github.com/fsnotify/fsnotify v1.10.1
	github.com/google/go-cmp v0.7.0
	golang.org/x/time v0.16.0
)

require golang.org/x/tools v0.26.0 // indirect

require (
	github.com/oklog/run v1.2.0
	github.com/rogpeppe/go-internal v1.16.0
	go.yaml.in/yaml/v3 v3.0.6
	golang.org/x/sys v0.48.0 // indirect
)
