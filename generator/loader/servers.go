package loader

import (
	"sort"
	"strings"

	"github.com/mqttgen/mqttgen/generator/model"
)

// pahoSchemes maps AsyncAPI protocols (and URL schemes) to the schemes
// paho's client understands.
var pahoSchemes = map[string]string{
	"mqtt": "tcp", "mqtt5": "tcp", "tcp": "tcp",
	"mqtts": "ssl", "secure-mqtt": "ssl", "ssl": "ssl", "tls": "ssl", "mqtt+ssl": "ssl",
	"ws": "ws", "wss": "wss",
}

// servers reads the servers map of either version.
func (l *loader) servers(root *node) {
	for _, e := range l.entries(root, "servers") {
		o := l.asObject(e.val, "server")
		if o == nil {
			continue
		}
		srv := &model.Server{
			Loc:             o.loc(),
			Name:            e.key,
			Protocol:        l.str(o, "protocol"),
			ProtocolVersion: l.str(o, "protocolVersion"),
			Title:           l.str(o, "title"),
			Summary:         l.str(o, "summary"),
			Description:     l.str(o, "description"),
			Variables:       l.serverVariables(o),
			Binding:         l.serverBinding(o),
		}
		if l.doc.Major == 2 {
			srv.URL = pahoURL2(l.str(o, "url"), srv.Protocol)
		} else {
			srv.URL = pahoURL3(l.str(o, "host"), l.str(o, "pathname"), srv.Protocol)
		}
		l.doc.Servers = append(l.doc.Servers, srv)
	}
}

// pahoURL2 normalises a 2.x url ("mqtt://host:1883" or "host:1883") with
// its protocol. The protocol field wins over the URL's scheme, because it
// is the one the spec requires; a server whose protocol is not MQTT gets
// an empty URL, as paho cannot use it.
func pahoURL2(raw, protocol string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		scheme, rest = "", raw
	}
	to, known := pahoSchemes[strings.ToLower(protocol)]
	if !known {
		to, known = pahoSchemes[strings.ToLower(scheme)]
	}
	if !known || rest == "" {
		return ""
	}
	return to + "://" + rest
}

// pahoURL3 builds a paho URL from 3.0's host, pathname and protocol.
func pahoURL3(host, pathname, protocol string) string {
	to, known := pahoSchemes[strings.ToLower(protocol)]
	if !known || host == "" {
		return ""
	}
	// host is not meant to carry a scheme, but some documents write one.
	if _, rest, ok := strings.Cut(host, "://"); ok {
		host = rest
	}
	return to + "://" + host + pathname
}

func (l *loader) serverVariables(o *node) []*model.ServerVariable {
	var vars []*model.ServerVariable
	for _, e := range l.entries(o, "variables") {
		v := l.asObject(e.val, "server variable")
		if v == nil {
			continue
		}
		vars = append(vars, &model.ServerVariable{
			Loc:         v.loc(),
			Name:        e.key,
			Default:     l.str(v, "default"),
			Enum:        l.strings(v, "enum"),
			Description: l.str(v, "description"),
			Examples:    l.strings(v, "examples"),
		})
	}
	sort.Slice(vars, func(i, j int) bool { return vars[i].Name < vars[j].Name })
	return vars
}

// mqttBinding returns bindings.mqtt of o, $refs followed.
func (l *loader) mqttBinding(o *node) *node {
	b := l.object(o, "bindings")
	if b == nil {
		return nil
	}
	return l.object(b, "mqtt")
}

func (l *loader) serverBinding(o *node) *model.MQTTServerBinding {
	b := l.mqttBinding(o)
	if b == nil {
		return nil
	}
	sb := &model.MQTTServerBinding{
		Loc:                   b.loc(),
		ClientID:              l.bindingStr(b, "clientId"),
		CleanSession:          l.boolean(b, "cleanSession"),
		KeepAlive:             l.integer(b, "keepAlive"),
		SessionExpiryInterval: l.intOrSchema(b, "sessionExpiryInterval"),
		MaximumPacketSize:     l.intOrSchema(b, "maximumPacketSize"),
	}
	if w := l.object(b, "lastWill"); w != nil {
		lw := &model.LastWill{Topic: l.bindingStr(w, "topic"), Message: l.bindingStr(w, "message")}
		if q := l.integer(w, "qos"); q != nil {
			lw.QoS = l.checkQoS(w.get("qos"), *q)
		}
		lw.Retain = flag(l.boolean(w, "retain"))
		sb.LastWill = lw
	}
	return sb
}

// bindingStr reads a string of an MQTT server binding. A 2.x meta-schema
// does not look inside bindings, so there a value that is no string (say
// clientId: { container-name }, a YAML mapping) is a warning and the
// setting is left out; in 3.0 it is an error.
func (l *loader) bindingStr(o *node, key string) string {
	if v := o.get(key); l.doc.Major == 2 && v != nil && v.kind != scalarNode && v.ref() == nil {
		l.warnf(v, "%s must be a string: the binding's %s is left out", key, key)
		return ""
	}
	return l.str(o, key)
}

// intOrSchema reads a 3.0 MQTT binding field that is an integer or a
// schema; a schema (a range, not a value) leaves the model field nil.
func (l *loader) intOrSchema(o *node, key string) *int {
	if v := o.get(key); v != nil && v.kind == mapNode {
		return nil
	}
	return l.integer(o, key)
}

func (l *loader) checkQoS(n *node, q int) int {
	if q < 0 || q > 2 {
		l.errorf(n, nil, "qos must be 0, 1 or 2, not %d", q)
		return 0
	}
	return q
}

func (l *loader) operationBinding(o *node) *model.MQTTOperationBinding {
	b := l.mqttBinding(o)
	if b == nil {
		return nil
	}
	ob := &model.MQTTOperationBinding{Loc: b.loc(), QoS: l.integer(b, "qos"), Retain: l.boolean(b, "retain")}
	if ob.QoS != nil {
		q := l.checkQoS(b.get("qos"), *ob.QoS)
		ob.QoS = &q
	}
	return ob
}

func (l *loader) messageBinding(o *node) *model.MQTTMessageBinding {
	b := l.mqttBinding(o)
	if b == nil {
		return nil
	}
	mb := &model.MQTTMessageBinding{
		Loc:             b.loc(),
		ContentType:     l.str(b, "contentType"),
		PayloadFormat:   l.integer(b, "payloadFormatIndicator"),
		CorrelationData: l.schema(b.get("correlationData")),
	}
	// responseTopic is a string or, in 3.0, a schema describing one.
	if rt := b.get("responseTopic"); rt != nil && rt.kind == scalarNode {
		mb.ResponseTopic = rt.value
	}
	return mb
}
