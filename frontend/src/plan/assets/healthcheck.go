// Command healthcheck is the probe gostage puts in images whose gostage.yaml sets
// `image.healthcheck.http`; Docker runs it as the image's HEALTHCHECK:
//
//	healthcheck http://HOST[:PORT][/PATH]
//
// It connects to HOST (an IP address, or a name listed in /etc/hosts, which Docker writes
// with `localhost` and the container's hostname; there is no DNS lookup), sends
// `GET PATH HTTP/1.0`, and exits 0 when the status is 200-399, 1 otherwise, printing one
// line on failure (Docker keeps probe output in `docker inspect`). 3xx counts as healthy, as
// in Kubernetes' httpGet probe: a redirect means the server answered; the probe does not
// follow it.
//
// It uses the syscall package rather than net: with net (and its DNS resolver) the stripped
// static binary is about 2.0 MB with Go 1.26, over gostage's 2 MB budget; with syscall it is
// 1.45-1.7 MB depending on the architecture, little more than the Go runtime itself. It
// avoids language and library features newer than Go 1.18, so any builder compiles it.
// gostage validates the URL before it gets here; Linux only.
package main

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// timeoutNanoseconds bounds connecting, sending and receiving. Docker also stops a probe at
// the healthcheck's `timeout` (30s by default); this only keeps a probe from hanging forever.
const timeoutNanoseconds = 30 * 1000 * 1000 * 1000

func main() {
	if len(os.Args) != 2 {
		fail("usage: healthcheck http://HOST[:PORT][/PATH]")
	}
	url := os.Args[1]
	if !strings.HasPrefix(url, "http://") {
		fail("not an http:// URL: " + url)
	}
	rest := url[len("http://"):]
	authority, path := rest, "/"
	if index := strings.IndexByte(rest, '/'); index >= 0 {
		authority, path = rest[:index], rest[index:]
	}
	host, port := splitHostPort(authority)
	addresses := resolve(host)
	if len(addresses) == 0 {
		fail(host + " is neither an IP address nor a name in /etc/hosts")
	}
	// Tried in order; the first error is reported: with `localhost`, that of 127.0.0.1 rather
	// than that of ::1 in a container without IPv6.
	socket, err := -1, error(nil)
	for _, address := range addresses {
		connected, connectErr := connect(address, port)
		if connectErr == nil {
			socket, err = connected, nil
			break
		}
		if err == nil {
			err = connectErr
		}
	}
	if socket < 0 {
		fail("connect to " + authority + ": " + err.Error())
	}
	defer syscall.Close(socket)
	request := "GET " + path + " HTTP/1.0\r\nHost: " + authority +
		"\r\nUser-Agent: gostage-healthcheck\r\nConnection: close\r\n\r\n"
	if err := writeAll(socket, []byte(request)); err != nil {
		fail("send to " + authority + ": " + err.Error())
	}
	line, err := statusLine(socket)
	if err != nil {
		fail("read from " + authority + ": " + err.Error())
	}
	// "HTTP/1.x NNN reason"
	if len(line) < 12 || !strings.HasPrefix(line, "HTTP/") || line[8] != ' ' {
		fail("not an HTTP response: " + strconv.Quote(line))
	}
	status, err := strconv.Atoi(line[9:12])
	if err != nil {
		fail("not an HTTP response: " + strconv.Quote(line))
	}
	if status < 200 || status > 399 {
		fail("GET " + url + ": " + line)
	}
}

// splitHostPort splits `host[:port]` or `[v6][:port]`; the port defaults to 80.
func splitHostPort(authority string) (string, int) {
	host, port := authority, "80"
	if strings.HasPrefix(authority, "[") {
		end := strings.IndexByte(authority, ']')
		if end < 0 {
			fail("unterminated [ in " + authority)
		}
		host = authority[1:end]
		if after := authority[end+1:]; after != "" {
			port = strings.TrimPrefix(after, ":")
		}
	} else if index := strings.LastIndexByte(authority, ':'); index >= 0 {
		host, port = authority[:index], authority[index+1:]
	}
	number, err := strconv.Atoi(port)
	if err != nil || number < 1 || number > 65535 {
		fail("not a port: " + strconv.Quote(port))
	}
	return host, number
}

// resolve returns the addresses of host: itself if it is an IP address, else those /etc/hosts
// lists for it, in file order (`localhost` is 127.0.0.1 when /etc/hosts has no entry).
func resolve(host string) []syscall.Sockaddr {
	if address := parseIP(host); address != nil {
		return []syscall.Sockaddr{address}
	}
	var addresses []syscall.Sockaddr
	hosts, _ := os.ReadFile("/etc/hosts")
	for _, line := range strings.Split(string(hosts), "\n") {
		if index := strings.IndexByte(line, '#'); index >= 0 {
			line = line[:index]
		}
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		for _, name := range fields[1:] {
			if strings.EqualFold(name, host) {
				if address := parseIP(fields[0]); address != nil {
					addresses = append(addresses, address)
				}
			}
		}
	}
	if len(addresses) == 0 && strings.EqualFold(host, "localhost") {
		addresses = append(addresses, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}})
	}
	return addresses
}

// parseIP reads a dotted IPv4 address or an IPv6 address (with `::`), else returns nil.
func parseIP(text string) syscall.Sockaddr {
	if parts := strings.Split(text, "."); len(parts) == 4 {
		address := &syscall.SockaddrInet4{}
		for index, part := range parts {
			value, err := strconv.ParseUint(part, 10, 8)
			if err != nil {
				return nil
			}
			address.Addr[index] = byte(value)
		}
		return address
	}
	if !strings.Contains(text, ":") {
		return nil
	}
	head, tail, compressed := strings.Cut(text, "::")
	groups := func(part string) []uint64 {
		if part == "" {
			return nil
		}
		var values []uint64
		for _, group := range strings.Split(part, ":") {
			value, err := strconv.ParseUint(group, 16, 16)
			if err != nil {
				return []uint64{1 << 20} // marks the address as invalid
			}
			values = append(values, value)
		}
		return values
	}
	first, last := groups(head), groups(tail)
	if !compressed && len(first) != 8 || compressed && len(first)+len(last) > 7 {
		return nil
	}
	all := append(first, make([]uint64, 8-len(first)-len(last))...)
	all = append(all, last...)
	address := &syscall.SockaddrInet6{}
	for index, value := range all {
		if value > 0xffff {
			return nil
		}
		address.Addr[2*index], address.Addr[2*index+1] = byte(value>>8), byte(value)
	}
	return address
}

func connect(address syscall.Sockaddr, port int) (int, error) {
	family := syscall.AF_INET
	switch address := address.(type) {
	case *syscall.SockaddrInet4:
		address.Port = port
	case *syscall.SockaddrInet6:
		address.Port = port
		family = syscall.AF_INET6
	}
	socket, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	// On Linux SO_SNDTIMEO also bounds a blocking connect (socket(7)).
	timeout := syscall.NsecToTimeval(timeoutNanoseconds)
	for _, option := range []int{syscall.SO_SNDTIMEO, syscall.SO_RCVTIMEO} {
		if err := syscall.SetsockoptTimeval(socket, syscall.SOL_SOCKET, option, &timeout); err != nil {
			syscall.Close(socket)
			return -1, err
		}
	}
	if err := syscall.Connect(socket, address); err != nil {
		syscall.Close(socket)
		return -1, err
	}
	return socket, nil
}

func writeAll(socket int, data []byte) error {
	for len(data) > 0 {
		count, err := syscall.Write(socket, data)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		data = data[count:]
	}
	return nil
}

// statusLine reads up to the first line break (at most 512 bytes).
func statusLine(socket int) (string, error) {
	var line []byte
	chunk := make([]byte, 512)
	for len(line) < 512 {
		count, err := syscall.Read(socket, chunk[:512-len(line)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return "", err
		}
		if count <= 0 {
			break
		}
		for _, character := range chunk[:count] {
			if character == '\r' || character == '\n' {
				return string(line), nil
			}
			line = append(line, character)
		}
	}
	if len(line) == 0 {
		return "", syscall.ECONNRESET
	}
	return string(line), nil
}

func fail(message string) {
	os.Stdout.WriteString("unhealthy: " + message + "\n")
	os.Exit(1)
}
