"""云集市: the order-style service marketplace of model workers, craftsmen and partners."""
