# an exception raised in a method called from a hot loop
class Account:
    def __init__(self, balance):
        self.balance = balance
    def withdraw(self, amount):
        if amount > self.balance:
            raise ValueError(f"insufficient: {self.balance} < {amount}")
        self.balance -= amount
        return self.balance

a = Account(1000)
for i in range(1, 100):
    a.withdraw(i * 3)
print(a.balance)
