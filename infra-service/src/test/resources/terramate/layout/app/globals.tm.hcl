globals {
  after    = ["/app"]           # a global named after, not the stack's
  comment  = "stack { after = [\"/app\"] }"
  template = "${tm_upper("stack {")}"
}

/*
stack {
  before = ["/network"]
}
*/

generate_hcl "order.tf" {
  content {
    stack {
      before = ["/network"]
    }
  }
}

generate_file "notes.txt" {
  content = <<EOT
stack {
  before = ["/network"]
}
EOT
}
