package skumap

import "slices"

// Derived returns the channel SKUs a warehouse SKU's level reaches, in ascending order: the
// channel SKUs of the rows naming it as their warehouse SKU, or, when no row names it, the SKU
// itself under UnmappedSelf. skipped says no row names it and the mapping skips unmapped
// SKUs. A SKU the rows name only as a channel SKU reaches nothing: the channel shows it from
// its components.
func (m *Mapping) Derived(warehouseSKU string) (channelSKUs []string, skipped bool) {
	if !m.named[warehouseSKU] {
		if m.unmapped == UnmappedSkip {
			return nil, true
		}
		return []string{warehouseSKU}, false
	}
	m.containingOnce.Do(m.indexContaining)
	return m.containing[warehouseSKU], false
}

// indexContaining builds the reverse of the rows, warehouse SKU to channel SKUs, once and
// only for the mappings that need it (the relay's): runs map whole feeds with Show.
func (m *Mapping) indexContaining() {
	m.containing = make(map[string][]string, len(m.named))
	for _, sku := range m.channelSKUs() {
		for _, c := range m.channel[sku] {
			m.containing[c.WarehouseSKU] = append(m.containing[c.WarehouseSKU], sku)
		}
	}
	for _, skus := range m.containing {
		slices.Sort(skus)
	}
}
