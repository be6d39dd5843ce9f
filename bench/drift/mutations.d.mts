export interface Kind {
  id: string;
  file: 'profile' | 'scheduler' | 'server';
  about: string;
  changesRun?: boolean;
}
export declare const KINDS: Kind[];
