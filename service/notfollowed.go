package service

import "fmt"

// notFollowed says how many input files the tailer cannot follow for
// want of file descriptors, and why; "" when it follows them all. The
// status line and /healthz show it.
func (s *Service) notFollowed() string {
	t := s.files.Load()
	if t == nil {
		return ""
	}
	n, why := t.NotFollowed()
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%s not followed (%s)", plural(n, "input file"), why)
}
