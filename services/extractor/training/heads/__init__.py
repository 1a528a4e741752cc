"""One module per trained head: each fits its head from the encoded sets and, where it has one, scores it."""
