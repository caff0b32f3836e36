package ai

import (
	"cmp"
	"context"
	"slices"
	"strings"
)

// Models lists the models this client can run (AI-014), in the platform's catalogue shape:
// the embedded models, every routed name, and, when the default route's provider lists its
// models (ModelLister), those. Entries of recognised models carry the catalogue's task and
// description; each adds the "served_by" and "upstream_model" properties. filter may be nil.
func (c *Client) Models(ctx context.Context, filter *ModelsFilter) ([]ModelInfo, error) {
	c.once.Do(c.init)
	if c.initErr != nil {
		return nil, c.initErr
	}
	if err := ctx.Err(); err != nil {
		return nil, abortError(context.Cause(ctx))
	}
	byName := map[string]ModelInfo{}
	for name, r := range c.routes {
		byName[name] = describe(name, r)
	}
	if c.def != nil {
		if l, ok := c.providers[c.def.Provider].(ModelLister); ok {
			listed, err := l.ListModels(ctx)
			if err != nil {
				return nil, err
			}
			for _, m := range listed {
				if _, routed := byName[m.Name]; routed {
					continue
				}
				r := *c.def
				r.Model = cmp.Or(r.Model, m.Name)
				byName[m.Name] = describe(m.Name, r)
			}
		}
	}
	all := make([]ModelInfo, 0, len(byName))
	for _, m := range byName {
		if filter.match(m) {
			all = append(all, m)
		}
	}
	slices.SortFunc(all, func(a, b ModelInfo) int { return cmp.Compare(a.Name, b.Name) })
	return filter.page(all), nil
}

// describe builds the catalogue entry of a routed model name. When the name is served by a
// different model, the entry says so and takes its output size from the model that serves
// it (or drops it when unknown): the catalogue never claims 768 dimensions for 100.
func describe(name string, r Route) ModelInfo {
	upstream := cmp.Or(r.Model, name)
	m, ok := catalogue[name]
	if !ok {
		m = ModelInfo{Name: name, Task: taskInfo(cmp.Or(r.Task, catalogueTask(upstream)))}
	}
	if r.Task != "" {
		m.Task = taskInfo(r.Task)
	}
	m.ID = cmp.Or(m.ID, stableID(name))
	m.Tags = append([]string{}, m.Tags...)
	props := make([]ModelProperty, 0, len(m.Properties)+3)
	for _, p := range m.Properties {
		if upstream != name && p.PropertyID == "output_dimensions" {
			continue
		}
		props = append(props, p)
	}
	if upstream != name {
		m.Description = strings.TrimSpace(m.Description + " Served here by " + upstream + " (provider " + r.Provider + ").")
		if d := catalogue[upstream].Property("output_dimensions"); d != nil {
			props = append(props, ModelProperty{"output_dimensions", d})
		}
	}
	m.Properties = append(props, ModelProperty{"served_by", r.Provider}, ModelProperty{"upstream_model", upstream})
	return m
}
