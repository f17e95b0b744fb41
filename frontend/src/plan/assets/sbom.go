// Command sbom writes an SPDX 2.3 JSON document describing Go binaries from the module
// information the Go linker embeds in them (what `go version -m` prints: the main module,
// every dependency with version and go.sum hash, and the Go toolchain as "stdlib").
//
// Usage: sbom OUTPUT_FILE CREATED BINARY...
//
// CREATED is the RFC 3339 creation time to record (gostage passes SOURCE_DATE_EPOCH, or the
// Unix epoch), so the same binaries give the same document. gostage runs it with `go run` in
// the builder stage; it uses only the standard library.
package main

import (
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type document struct {
	SPDXVersion       string         `json:"spdxVersion"`
	DataLicense       string         `json:"dataLicense"`
	SPDXID            string         `json:"SPDXID"`
	Name              string         `json:"name"`
	DocumentNamespace string         `json:"documentNamespace"`
	CreationInfo      creationInfo   `json:"creationInfo"`
	Packages          []pkg          `json:"packages"`
	Relationships     []relationship `json:"relationships"`
}

type creationInfo struct {
	Created  string   `json:"created"`
	Creators []string `json:"creators"`
}

type pkg struct {
	Name             string        `json:"name"`
	SPDXID           string        `json:"SPDXID"`
	VersionInfo      string        `json:"versionInfo,omitempty"`
	DownloadLocation string        `json:"downloadLocation"`
	FilesAnalyzed    bool          `json:"filesAnalyzed"`
	PrimaryPurpose   string        `json:"primaryPackagePurpose,omitempty"`
	Comment          string        `json:"comment,omitempty"`
	ExternalRefs     []externalRef `json:"externalRefs,omitempty"`
}

type externalRef struct {
	Category string `json:"referenceCategory"`
	Type     string `json:"referenceType"`
	Locator  string `json:"referenceLocator"`
}

type relationship struct {
	Element string `json:"spdxElementId"`
	Type    string `json:"relationshipType"`
	Related string `json:"relatedSpdxElement"`
}

func main() {
	if len(os.Args) < 4 {
		fail("usage: sbom OUTPUT_FILE CREATED BINARY...")
	}
	output, created, binaries := os.Args[1], os.Args[2], os.Args[3:]
	doc := document{
		SPDXVersion:  "SPDX-2.3",
		DataLicense:  "CC0-1.0",
		SPDXID:       "SPDXRef-DOCUMENT",
		CreationInfo: creationInfo{Created: created, Creators: []string{"Tool: gostage"}},
	}
	seen := map[string]bool{}
	var names []string
	for _, binary := range binaries {
		info, err := buildinfo.ReadFile(binary)
		if err != nil {
			fail("%s has no Go build information: %v", binary, err)
		}
		name := filepath.Base(binary)
		names = append(names, name)
		binaryID := add(&doc, seen, pkg{
			Name: name, SPDXID: id("binary", name), VersionInfo: info.Main.Version,
			DownloadLocation: "NOASSERTION", PrimaryPurpose: "APPLICATION",
			Comment: "Go binary of module " + info.Main.Path + ", built with " + info.GoVersion,
		})
		doc.Relationships = append(doc.Relationships, relationship{"SPDXRef-DOCUMENT", "DESCRIBES", binaryID})
		modules := []*debugModule{{info.Main.Path, info.Main.Version, info.Main.Sum}}
		for _, dep := range info.Deps {
			if dep.Replace != nil {
				dep = dep.Replace
			}
			modules = append(modules, &debugModule{dep.Path, dep.Version, dep.Sum})
		}
		modules = append(modules, &debugModule{"stdlib", info.GoVersion, ""})
		for _, module := range modules {
			moduleID := add(&doc, seen, modulePackage(module))
			doc.Relationships = append(doc.Relationships, relationship{binaryID, "CONTAINS", moduleID})
		}
	}
	sort.Slice(doc.Relationships, func(i, j int) bool {
		a, b := doc.Relationships[i], doc.Relationships[j]
		return a.Element+a.Type+a.Related < b.Element+b.Type+b.Related
	})
	doc.Name = strings.Join(names, ",")
	// A namespace must be unique per document: derive it from the content.
	body, err := json.Marshal(doc)
	if err != nil {
		fail("%v", err)
	}
	sum := sha256.Sum256(body)
	doc.DocumentNamespace = "https://gostage.invalid/spdx/" + hex.EncodeToString(sum[:])
	body, err = json.MarshalIndent(doc, "", "  ")
	if err != nil {
		fail("%v", err)
	}
	if err := os.MkdirAll(filepath.Dir(output), 0o755); err != nil {
		fail("%v", err)
	}
	if err := os.WriteFile(output, append(body, '\n'), 0o644); err != nil {
		fail("%v", err)
	}
}

type debugModule struct{ path, version, sum string }

func modulePackage(module *debugModule) pkg {
	version := module.version
	p := pkg{
		Name: module.path, SPDXID: id("module", module.path+"@"+version), VersionInfo: version,
		DownloadLocation: "NOASSERTION", PrimaryPurpose: "LIBRARY",
	}
	if module.sum != "" {
		p.Comment = "go.sum hash " + module.sum
	}
	if version != "" && version != "(devel)" {
		p.ExternalRefs = []externalRef{{"PACKAGE-MANAGER", "purl", "pkg:golang/" + module.path + "@" + version}}
	}
	return p
}

// add appends p once (binaries share modules) and returns its SPDX id.
func add(doc *document, seen map[string]bool, p pkg) string {
	if !seen[p.SPDXID] {
		seen[p.SPDXID] = true
		doc.Packages = append(doc.Packages, p)
	}
	return p.SPDXID
}

// id makes an SPDX identifier: letters, digits, '.' and '-' only.
func id(kind, name string) string {
	var b strings.Builder
	for _, r := range name {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return "SPDXRef-" + kind + "-" + b.String()
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "gostage sbom: "+format+"\n", args...)
	os.Exit(1)
}
