"""The offline model's answer to "show markdown": everything a reply can contain."""

SHOWCASE = r"""## What replies can contain

**Bold**, *italic*, ~~strikethrough~~, `inline code` and [a link](https://jupyter.org).

| Feature | Status |
|---|:---:|
| Tables | yes |
| Task lists | yes |

- [x] Render GitHub-flavoured markdown
- [ ] Write the next notebook

```python
def fib(n: int) -> int:
    return n if n < 2 else fib(n - 1) + fib(n - 2)
```

Inline math $e^{i\pi} + 1 = 0$ and display math:

$$\int_0^1 x^2\,dx = \frac{1}{3}$$

> Quotes, too.
"""
