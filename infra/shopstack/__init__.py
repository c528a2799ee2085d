"""The local stack: AWS stand-ins, template-driven resources, and the functions behind an
HTTP front and event sources, as SAM would deploy them. See docs/local-stack.md."""
