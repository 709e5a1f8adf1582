module cgomix

go 1.21
