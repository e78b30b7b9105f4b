"""The market's services, one module per sub-domain: ``catalogue`` (providers, offerings, batches:
备货, 上架, 下架, 上新), ``orders`` (下单 → 配货 → 发货 → 签收 → 评价, cancellation, no-show,
复购, auto-confirmation), ``needs`` (需求 and their categories), ``files`` (upload checks)."""
