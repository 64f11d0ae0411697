"""The offline model's answer to "show markdown": everything a reply can contain."""

SHOWCASE = r"""## What replies can contain

**Bold**, *italic*, ~~strikethrough~~, `inline code` and [a link](https://jupyter.org).

| Feature | Status | Since |
|:---|:---:|---:|
| Tables | yes | 0.1 |
| Task lists | yes | 0.1 |
| Math | yes | 0.1 |

- [x] Render GitHub-flavoured markdown
- [ ] Write the next notebook

1. Ordered lists
2. with `code`, and nested:
   - items

```python
def fib(n: int) -> int:
    # Highlighted, with a Copy button.
    return n if n < 2 else fib(n - 1) + fib(n - 2)
```

```json
{"name": "chatkit-widget", "offline": true}
```

Inline math $e^{i\pi} + 1 = 0$ or \(a^2 + b^2 = c^2\), while prices like $5 and $10 stay text.
Display math:

$$\int_0^1 x^2\,dx = \frac{1}{3}$$

\[
\sum_{k=1}^{n} k = \frac{n(n+1)}{2}
\]

> Quotes, too.
"""
