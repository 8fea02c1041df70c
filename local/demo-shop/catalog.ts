import type { CheckoutRequest } from '../../client/src';

/** The demo shop's one cart: two books from two sellers, so a payment settles two wallets. */
export const CART: CheckoutRequest = {
  buyerId: 'demo-buyer',
  orderName: 'Two books',
  currency: 'KRW',
  items: [
    { sellerId: 'seller-a', productId: 'book-typescript', amount: 7_000 },
    { sellerId: 'seller-b', productId: 'book-dynamodb', amount: 3_000 },
  ],
};

export const TITLES: Readonly<Record<string, string>> = {
  'book-typescript': 'Programming TypeScript',
  'book-dynamodb': 'The DynamoDB Book',
};

export const SELLERS = [...new Set(CART.items.map((item) => item.sellerId))];

export const CART_TOTAL = CART.items.reduce((sum, item) => sum + item.amount, 0);
