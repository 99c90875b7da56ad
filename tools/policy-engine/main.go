// Command policy-engine answers whether NetworkPolicies admit a connection, with cyclonus's
// implementation of the networking.k8s.io/v1 semantics (github.com/mattfenwick/cyclonus/pkg/matcher):
// an engine written apart from canaryship's own data-plane model, which the tests hold that model
// and the rendered policies to.
//
// Input on stdin, one JSON document:
//
//	{"policies": [NetworkPolicy, ...],
//	 "queries": [{"source": Peer, "destination": Peer, "port": 9898, "portName": "http", "protocol": "TCP"}, ...]}
//
// where a Peer is {"namespace", "namespaceLabels", "podLabels"} for a pod, or {"ip"} alone for a
// host outside the cluster. Output on stdout: a JSON array of booleans, one per query, in order.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/mattfenwick/cyclonus/pkg/matcher"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

type peer struct {
	Namespace       string            `json:"namespace"`
	NamespaceLabels map[string]string `json:"namespaceLabels"`
	PodLabels       map[string]string `json:"podLabels"`
	IP              string            `json:"ip"`
}

type query struct {
	Source      peer   `json:"source"`
	Destination peer   `json:"destination"`
	Port        int    `json:"port"`
	PortName    string `json:"portName"`
	Protocol    string `json:"protocol"`
}

type input struct {
	Policies []*networkingv1.NetworkPolicy `json:"policies"`
	Queries  []query                       `json:"queries"`
}

func trafficPeer(p peer) *matcher.TrafficPeer {
	if p.Namespace == "" {
		return &matcher.TrafficPeer{IP: p.IP}
	}
	return &matcher.TrafficPeer{IP: p.IP, Internal: &matcher.InternalPeer{Namespace: p.Namespace, NamespaceLabels: p.NamespaceLabels, PodLabels: p.PodLabels}}
}

func run() error {
	var in input
	decoder := json.NewDecoder(os.Stdin)
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&in); err != nil {
		return fmt.Errorf("reading the input: %w", err)
	}
	policy, err := build(in.Policies)
	if err != nil {
		return err
	}
	answers := make([]bool, len(in.Queries))
	for i, q := range in.Queries {
		traffic := &matcher.Traffic{
			Source:           trafficPeer(q.Source),
			Destination:      trafficPeer(q.Destination),
			ResolvedPort:     q.Port,
			ResolvedPortName: q.PortName,
			Protocol:         corev1.Protocol(q.Protocol),
		}
		// Ingress only: the policies under test restrict ingress, and egress is the caller's own.
		answers[i] = policy.IsIngressOrEgressAllowed(traffic, true).IsAllowed()
	}
	return json.NewEncoder(os.Stdout).Encode(answers)
}

// build turns the policies into cyclonus's matcher; cyclonus panics on a policy it cannot read
// (no policyTypes, say), which is reported as an error here.
func build(policies []*networkingv1.NetworkPolicy) (policy *matcher.Policy, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("a policy cyclonus cannot read: %v", r)
		}
	}()
	return matcher.BuildNetworkPolicies(false, policies), nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "policy-engine:", err)
		os.Exit(1)
	}
}
