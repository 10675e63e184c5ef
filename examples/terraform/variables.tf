variable "region" {
  type    = string
  default = "us-east-1"
}

variable "subnet_ids" {
  type    = list(string)
  default = ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719"]
}

variable "spot_strategy" {
  description = "Allocation strategy of the Spot environment"
  type        = string
  default     = "BEST_FIT" # prod.tfvars fixes it
}

variable "environments" {
  description = "Compute environments by name: capacity type and instance types"
  type = map(object({
    type           = string
    instance_types = list(string)
    max_vcpus      = number
    min_vcpus      = optional(number, 0)
  }))
  default = {
    spot = { type = "SPOT", instance_types = ["c6i", "m6i", "r6i"], max_vcpus = 256 }
    ondemand = {
      type           = "EC2"
      instance_types = ["m4.xlarge"] # previous generation
      max_vcpus      = 64
      min_vcpus      = 16 # bills around the clock
    }
  }
}
