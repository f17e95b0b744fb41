module example.com/monorepo/lib

go 1.23
