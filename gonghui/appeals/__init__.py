"""12351 appeals: work orders with routing down the union tree, deadlines, supervision, satisfaction."""
