# Resources were keyed by hand-picked names before the route table generated them; the same API Gateway
# resources, under their paths.
moved {
  from = aws_api_gateway_resource.depth2["order_by_id"]
  to   = aws_api_gateway_resource.depth2["orders/{order_id}"]
}
moved {
  from = aws_api_gateway_resource.depth1["failed"]
  to   = aws_api_gateway_resource.depth1["failed-orders"]
}
moved {
  from = aws_api_gateway_resource.depth2["failed_redrive"]
  to   = aws_api_gateway_resource.depth2["failed-orders/redrive"]
}
moved {
  from = aws_api_gateway_resource.depth2["failed_by_id"]
  to   = aws_api_gateway_resource.depth2["failed-orders/{order_id}"]
}
moved {
  from = aws_api_gateway_resource.depth3["failed_one"]
  to   = aws_api_gateway_resource.depth3["failed-orders/{order_id}/redrive"]
}
moved {
  from = aws_api_gateway_resource.depth1["openapi"]
  to   = aws_api_gateway_resource.depth1["openapi.json"]
}
