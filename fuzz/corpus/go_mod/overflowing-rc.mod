module example.com/x

go 1.23rc4294967295
