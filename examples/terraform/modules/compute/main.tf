variable "name" {
  type = string
}

variable "settings" {
  type = object({
    type           = string
    instance_types = list(string)
    max_vcpus      = number
    min_vcpus      = number
  })
}

variable "subnet_ids" {
  type = list(string)
}

variable "spot_strategy" {
  type = string
}

resource "aws_batch_compute_environment" "this" {
  compute_environment_name = "batch-${var.name}"
  type                     = "MANAGED"

  compute_resources {
    type                = var.settings.type
    allocation_strategy = var.settings.type == "SPOT" ? var.spot_strategy : "BEST_FIT_PROGRESSIVE"
    instance_type       = var.settings.instance_types
    min_vcpus           = var.settings.min_vcpus
    max_vcpus           = var.settings.max_vcpus
    subnets             = var.subnet_ids
    security_group_ids  = ["sg-0a1b2c3d4e5f60718"]
    instance_role       = "arn:aws:iam::123456789012:instance-profile/ecsInstanceRole"
    tags                = { team = "genomics" }
  }
}

output "arn" {
  value = aws_batch_compute_environment.this.arn
}
