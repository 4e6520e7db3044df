stack {
  # the order, written with a relative path
  after = [
    "../network", // trailing comma below is allowed
  ]
  description = <<-EOT
    Not the block's end: }
    after = ["/modules"]
  EOT
  name = "app"
}
