# string constants, escapes and concatenation
s = ""
for i in range(4):
    s = s + "a\tb" + 'c\n' + r"\d" + "\u00e9" + "\x41"
print(repr(s))
print(len(s), s.count("\n"))
t = "con" "cat" "ena" "tion"
print(t)
