export const metadata = { title: "strapi-live on Next.js" };

export default function RootLayout({ children }) {
	return (
		<html lang="en">
			<body>{children}</body>
		</html>
	);
}
