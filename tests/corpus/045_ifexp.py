# conditional expressions nested in a loop
out = []
for i in range(12):
    out.append("fizzbuzz" if i % 15 == 0 else "fizz" if i % 3 == 0
               else "buzz" if i % 5 == 0 else i)
print(out)
