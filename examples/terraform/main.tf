# An AWS Batch stack with a few mistakes on purpose: `batchlint scan examples/terraform`
provider "aws" {
  region = var.region
  default_tags {
    tags = { team = "genomics", owner = "platform" }
  }
}

locals {
  image = "public.ecr.aws/docker/library/python:3.12"
}

module "compute" {
  source        = "./modules/compute"
  for_each      = var.environments
  name          = each.key
  settings      = each.value
  subnet_ids    = var.subnet_ids
  spot_strategy = var.spot_strategy
}

resource "aws_batch_job_queue" "main" {
  name     = "main"
  state    = "ENABLED"
  priority = 10

  dynamic "compute_environment_order" {
    for_each = ["spot", "ondemand"]
    content {
      order               = compute_environment_order.key
      compute_environment = module.compute[compute_environment_order.value].arn
    }
  }
}

resource "aws_iam_role" "job" {
  name = "batch-job"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

data "aws_iam_policy_document" "job" {
  statement {
    actions   = ["s3:*"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "job" {
  name   = "data-access"
  role   = aws_iam_role.job.id
  policy = data.aws_iam_policy_document.job.json
}

resource "aws_batch_job_definition" "align" {
  name = "align"
  type = "container"
  container_properties = jsonencode({
    image      = local.image
    jobRoleArn = aws_iam_role.job.arn
    command    = ["python", "align.py"]
    resourceRequirements = [
      { type = "VCPU", value = "4" },
      { type = "MEMORY", value = "16384" },
    ]
    environment = [
      { name = "DB_PASSWORD", value = "correct-horse-battery" },
    ]
  })
}
